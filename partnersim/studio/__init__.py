"""partnersim studio: what-ifs in the browser, each change paired with the base on the same random numbers.

:mod:`~partnersim.studio.state` holds what the studio does (without a browser), :mod:`~partnersim.studio.app`
serves it (``pip install 'partnersim[studio]'``).
"""
