"""Entry point of the background: the APScheduler alarm clock and the periodic jobs."""
