"""The bounded headless Chromium, and the rules and Scrapy middleware that send a page to it
(challenges, script-built lists)."""
