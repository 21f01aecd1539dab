"""The upstream's failures, as OpenAI-shaped API errors with a metrics label."""

from __future__ import annotations

from keepgate.errors import APIError

RETRYABLE_STATUS = {500, 502, 503, 504, 529}


class UpstreamError(APIError):
    """The upstream failed; carries an OpenAI-shaped body and a metrics label."""

    def __init__(self, status: int, message: str, kind: str, code: str | None = None) -> None:
        super().__init__(status, message, code=code or kind)
        self.kind = kind

    @property
    def retryable(self) -> bool:
        """Only failures before the first byte reach the retry loop; these may pass."""
        return self.kind in ("upstream_http_error", "upstream_unreachable")


def from_status(status: int) -> UpstreamError:
    """The error for an upstream's HTTP error status."""
    if status in RETRYABLE_STATUS or status >= 500:
        return UpstreamError(502, f"upstream returned HTTP {status}", "upstream_http_error")
    if status == 429:
        return UpstreamError(429, "upstream rate limit reached", "upstream_rate_limited")
    # 4xx: the request was wrong for the provider; pass the status through, not the body
    # (it may echo request content).
    return UpstreamError(
        status, f"upstream rejected the request (HTTP {status})", "upstream_rejected"
    )


def timed_out(mid_stream: bool = False) -> UpstreamError:
    return UpstreamError(
        504,
        "upstream timed out mid-stream" if mid_stream else "upstream timed out",
        "upstream_timeout",
    )


def unreachable(cause: BaseException, mid_stream: bool = False) -> UpstreamError:
    what = "upstream stream broke" if mid_stream else "upstream unreachable"
    return UpstreamError(502, f"{what}: {type(cause).__name__}", "upstream_unreachable")
