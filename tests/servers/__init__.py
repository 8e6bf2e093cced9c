"""The lifecycle promises under the real server programs: uWSGI, gunicorn, uvicorn (issue 13)."""
