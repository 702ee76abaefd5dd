"""Fetching pages: the Scrapy spider that crawls any source through its adapter, the storage
pipeline, Scrapy settings, runs of crawls, and ``sources check``."""
