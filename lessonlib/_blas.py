"""One BLAS thread for the course's tiny networks."""
import contextlib


def single_thread():
    """A context in which BLAS uses one thread. The lessons' networks are tiny (tens of rows per
    batch, tens of units): extra threads cost more than they save, and on a busy 2-core machine
    they make training several times slower. Does nothing when threadpoolctl is missing."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:                                 # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)
