from tests.reports.dataset import dataset  # noqa: F401
