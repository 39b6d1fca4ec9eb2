#!/bin/sh
# Train the learned model with the bundled model's recipe, and teach it to
# read domain statistics (qieci adapt): one `qieci train` run over every training corpus, one standard each, with
# jieba's dictionary as the shared lexicon, the official SIGHAN 2005
# training word lists as the own lexicons of pku, msr, cityu and as, the
# training words of each standard added to its own lexicon (all trained in
# 10 held-out folds, the default of --lexicon-folds), and model selection
# on every dev file; the model is taught to read domain statistics (qieci
# adapt) from each corpus's own raw text in two held-out folds, seen in a
# quarter of each sentence's visits. About four minutes on a 2-core machine
# (see README.md). Run from the repository with ../shared/corpora, it
# reproduces the bundled model (src/qieci/engines/learned/data/learned.qc)
# byte for byte.
#
#   sh tools/train_learned_model.sh [CORPORA_DIR] [OUTPUT]
set -eu
C=${1:-../shared/corpora}
OUT=${2:-learned.qc}
exec qieci train \
  --corpus pku=$C/train/pku-part.txt \
  --corpus msr=$C/train/msr-part.txt \
  --corpus ctb=$C/train/ctb6.txt,$C/train/zx.txt \
  --corpus sxu=$C/train/sxu.txt \
  --corpus weibo=$C/train/weibo.txt \
  --corpus ud=$C/train/ud.txt \
  --corpus cnc=$C/train/cnc.txt \
  --corpus medical=$C/train/medical.txt \
  --corpus wtb=$C/train/wtb.txt \
  --corpus cityu=$C/train/cityu-part.txt \
  --corpus as=$C/train/as-part.txt \
  --dev ctb=$C/dev/ctb6.txt,$C/dev/zx.txt \
  --dev sxu=$C/dev/sxu.txt \
  --dev weibo=$C/dev/weibo.txt \
  --dev ud=$C/dev/ud.txt \
  --dev medical=$C/dev/medical.txt \
  --dev wtb=$C/dev/wtb.txt \
  --std-lexicon pku=$C/lexicon/pku_training_words.txt \
  --std-lexicon msr=$C/lexicon/msr_training_words.txt \
  --std-lexicon cityu=$C/lexicon/cityu_training_words.txt \
  --std-lexicon as=$C/lexicon/as_training_words.txt \
  --training-words-lexicon \
  --domain-folds 2 --domain-rate 0.25 \
  --bits 23 --epochs 15 --patience 2 --seed 1 \
  -o "$OUT"
