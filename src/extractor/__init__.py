"""extractor: Chinese government-information-disclosure annual reports
(政府信息公开工作年度报告) -> typed datasets and audit findings.

    >>> import extractor
    >>> report = extractor.parse("report.txt")
    >>> report.frames()["cells"]          # the report's cells as a DataFrame
"""
from .model import Report
from .pipeline import parse, parse_bytes

__version__ = "0.1.0"
__all__ = ["Report", "parse", "parse_bytes", "__version__"]
