"""Leaderboard ranking and the seed-spread column (pure functions of the record)."""


def test_a_system_with_several_seeds_is_ranked_by_their_mean_and_shows_the_spread():
    from duikou.eval.leaderboard import _seed_cell, rank_f1, ranked

    one = {"name": "a", "protocol": "cv", "strict": {"f1": 0.80}}
    many = {"name": "b", "protocol": "cv", "strict": {"f1": 0.82},
            "seeds": {"seeds": [0, 1, 2],
                      "strict_f1": {"values": [0.82, 0.70, 0.72], "mean": 0.7467, "sd": 0.064}}}
    single = {"name": "c", "protocol": "cv", "strict": {"f1": 0.78},
              "seeds": {"seeds": [0], "strict_f1": {"values": [0.78], "mean": 0.78, "sd": None}}}
    assert rank_f1(many) == 0.7467 and rank_f1(one) == 0.80
    assert [e["name"] for e in ranked([one, many, single], "cv")] == ["a", "c", "b"]
    assert _seed_cell(many) == "0.7467 ± 0.0640 (3 seeds)"
    assert _seed_cell(single) == "0.7800 (1 seed)" and _seed_cell(one) == "—"
