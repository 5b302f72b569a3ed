import sys

from landslide.cli import main

sys.exit(main())
