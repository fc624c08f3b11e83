"""PDF documents: WeasyPrint rendering behind a deny-by-default fetcher, PAdES signatures, and a
child process with a time and memory limit. Flask-free: the job worker runs it."""
