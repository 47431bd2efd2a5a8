"""Gunicorn settings shared by every way the registry is served (./run, the tests' hosts, benchmarks):
gunicorn reads this file from the folder it starts in."""

# The longest request line gunicorn takes (its own ceiling; the default is 4094 bytes). A search of 200
# Chinese characters is about 1,800 bytes once percent-encoded, and the page cuts longer queries with a
# note, so a long query gets the registry's answer instead of gunicorn's bare "414 URI Too Long".
limit_request_line = 8190
