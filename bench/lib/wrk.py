"""Reading wrk's report, for every benchmark: requests per second, latency percentiles, errors.

Lives below bench/ so that `make bench`, which runs bench/*.py, does not take it for a benchmark.
"""
import re


def to_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse(output):
    """{rps, p50, p99 (ms), errors, requests} from wrk's `--latency` report. Errors are the non-2xx/3xx
    answers, socket errors, and the "Wrong pages" a checking Lua script reports."""
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    wrong = re.search(r"Wrong pages: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)

    def percentile(name):
        return to_ms(*re.search(rf"{name}%\s+([\d.]+)(us|ms|s)", output).groups()) if requests else 0.0

    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), "requests": requests,
            "p50": percentile("50"), "p99": percentile("99"),
            "errors": (int(non_2xx.group(1)) if non_2xx else 0) + (int(wrong.group(1)) if wrong else 0)
                      + (sum(map(int, socket_errors.groups())) if socket_errors else 0)}


def combine(runs):
    """Several wrk slices as one: total requests over total time; the worst slice's percentiles."""
    seconds = sum(run["requests"] / run["rps"] for run in runs)
    return {"rps": sum(run["requests"] for run in runs) / seconds, "p50": max(run["p50"] for run in runs),
            "p99": max(run["p99"] for run in runs), "errors": sum(run["errors"] for run in runs),
            "requests": sum(run["requests"] for run in runs)}
