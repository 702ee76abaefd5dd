"""Topic matching: topics as data, the keyword matcher with its exclusions, sentences."""
