"""The HTTP service: create_app (app.py) mounts one router per concern (sparql, queries, health) over a Runtime."""
