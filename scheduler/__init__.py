"""The long-lived service: schedules, queue backends, workers, leader lock, health endpoint.

Not built yet: today crawls are started by hand with ``govwatch crawl`` (see README, "Status").
"""
