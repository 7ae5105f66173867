from duikou import schema


def test_bio_tags_derived_from_labels():
    assert schema.BIO_TAGS[0] == "O"
    assert len(schema.BIO_TAGS) == 1 + 2 * len(schema.LABEL_NAMES)
    for name in schema.LABEL_NAMES:
        assert f"B-{name}" in schema.BIO_TAGS and f"I-{name}" in schema.BIO_TAGS


def test_eleven_flat_labels_with_unique_colours_and_hotkeys():
    assert len(schema.LABELS) == 11
    assert len({lb.colour for lb in schema.LABELS}) == 11
    assert len({lb.hotkey for lb in schema.LABELS}) == 11


def test_label_table_lists_every_label():
    table = schema.label_table_markdown()
    for name in schema.LABEL_NAMES:
        assert f"| {name} |" in table
