"""The dataset build: seeds + gold annotations → the Hugging Face dataset folder
``corpus/`` (data files, card, manifest), its splits, statistics and a fast reader."""
