#!/usr/bin/env bash
# Rebuilds the shipped model, Models/moderato.model, and its manifest from the labelled data in
# ../shared/data (or MODERATO_DATA). Deterministic: the same data and code give the same bytes, so
# `git diff --stat Models/` after running it shows whether the committed model is what this code builds.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${MODERATO_DATA:-../shared/data}
Scripts/bootstrap.sh
swift build -c release --product modctl >&2
.build/release/modctl model train \
  --name "moderato-news-1" \
  --toxicity "$data/toxicity/civil-comments-toxic-spans.csv" \
  --toxicity "$data/toxicity/wikipedia-talk-a.csv" \
  --toxicity "$data/toxicity/wikipedia-talk-b.csv" \
  --toxicity "$data/davidson-hate-offensive/dev.csv" \
  --spam "$data/youtube-spam/Youtube01-Psy.csv" \
  --spam "$data/youtube-spam/Youtube02-KatyPerry.csv" \
  --spam "$data/youtube-spam/Youtube03-LMFAO.csv" \
  --dev "$data/news-comments/civil-comments-dev.csv" \
  --attribution "Civil Comments, from the Jigsaw Unintended Bias in Toxicity Classification data, as annotated for toxic spans by J. Pavlopoulos, L. Laugier, A. Xenos, J. Sorensen, I. Androutsopoulos, 'From the Detection of Toxic Spans in Online Discussions to the Analysis of Toxic-to-Civil Transfer', ACL 2022. CC0 1.0." \
  --attribution "Wikipedia talk-page comments from the Jigsaw Toxic Comment Classification data. Text: Wikipedia contributors, CC BY-SA 3.0 (https://creativecommons.org/licenses/by-sa/3.0/); labels CC0. The model's weights are derived from this text." \
  --attribution "T. Davidson, D. Warmsley, M. Macy, I. Weber, 'Automated Hate Speech Detection and the Problem of Offensive Language', ICWSM 2017. MIT License, (c) 2017 Tom Davidson. Tweets are user content from Twitter/X." \
  --attribution "T. C. Alberto, J. V. Lochter, T. A. Almeida, 'TubeSpam: Comment Spam Filtering on YouTube', IEEE ICMLA 2015. YouTube Spam Collection v1, CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)." \
  --record-command "Scripts/train-model.sh" \
  --output Models/moderato.model "$@"
