"""What the comments are about: words reduced to their stems (terms), and the
log-odds ratio that tells which of them one group of answers uses more than
another (logodds)."""
