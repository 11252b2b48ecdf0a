"""The image proxy (`rsspress proxy`): signed URLs in, images out, nothing else."""
