"""What every test folder shares: the fixtures (`fixtures.py`, loaded by tests/conftest.py), a real uvicorn
server in a thread (`live_server.py`), an in-process ASGI client (`asgi.py`) and a copy of the project
(`project.py`). tests/conftest.py puts tests/ on sys.path, so a test imports `from support.live_server import
LiveServer` whatever pytest's import mode."""
