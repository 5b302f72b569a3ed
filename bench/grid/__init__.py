"""The grid machinery: a grid file (``spec``) expanded into cells, run by local workers (``runner``)
through a results store (``store``), and turned into tables with intervals and tests (``report``,
``tables``); the sweep, thresholds and tricks tables read the same store."""
