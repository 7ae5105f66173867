"""Evaluation: the harness (protocols, confidence intervals), significance tests, the
leaderboard, submission validation and pictures. The span scorer itself is core
(:mod:`duikou.scoring`), since annotation agreement and tuning need it too."""
