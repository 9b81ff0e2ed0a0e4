# Top-level conftest of the Python binding: registers the package's pytest
# plugin for the in-tree tests (an installed package registers it through
# its pytest11 entry point under the same name, so it is never loaded twice),
# and pytester, with which tests/test_testing.py runs pytest on the plugin.
pytest_plugins = ["xdpkit.testing", "pytester"]
