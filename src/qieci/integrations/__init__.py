"""qieci inside other libraries' pipelines: spaCy (:mod:`.spacy`) and
Hugging Face ``tokenizers`` (:mod:`.hf`). Each module imports its library
when it is imported itself; qieci never needs them otherwise."""
