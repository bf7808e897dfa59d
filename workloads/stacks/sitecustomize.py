# CoreScope's sitecustomize: starts the Python stack probe (corescope_stack_probe.py, next to this
# file) in every Python process of a run CoreScope launches, then runs the sitecustomize the
# interpreter would have run without us.
#
# CoreScope puts this directory first on PYTHONPATH and sets CORESCOPE_STACKS_DIR (and
# CORESCOPE_STACKS_HZ); without CORESCOPE_STACKS_DIR this file only chains. Python runs exactly one
# module named `sitecustomize` (site.py imports it once), so ours would hide the user's own one (on
# PYTHONPATH after ours) or the distribution's (Debian: /usr/lib/python3.X/sitecustomize.py ->
# /etc/python3.X/sitecustomize.py). So after starting the probe we look for the next
# `sitecustomize` on sys.path after this directory and execute it as if it had been imported as
# `sitecustomize`: same module name, file and spec, it becomes sys.modules['sitecustomize'], it may
# change sys.path, and an exception in it leaves this module, so site.py reports it exactly as it
# would have ("Error in sitecustomize; set PYTHONVERBOSE for traceback: ...").
#
# The probe never breaks the program: it catches its own failures, notes them in its output file
# and disables itself; it never writes to stdout/stderr.
#
# Written in syntax Python 2.7 also parses (a Python 2 child inheriting PYTHONPATH must not print
# a SyntaxError on every start): there the probe is not started, only the chain runs.

import os as _os
import sys as _sys


def _corescope_start_probe():
    if not _os.environ.get('CORESCOPE_STACKS_DIR') or _sys.version_info[0] < 3:
        return
    try:
        import corescope_stack_probe
        corescope_stack_probe.start()
    except BaseException:  # noqa: never break the program, whatever the probe does
        pass


def _corescope_real(p):
    try:
        return _os.path.realpath(_os.path.abspath(p or _os.curdir))
    except Exception:
        return p


def _corescope_import_parts():
    # The import system's own classes, always loaded (importlib proper would import `warnings`
    # and more into every process).
    try:
        from _frozen_importlib_external import PathFinder
        from _frozen_importlib import module_from_spec
    except ImportError:
        from importlib.machinery import PathFinder
        from importlib.util import module_from_spec
    return PathFinder, module_from_spec


def _corescope_next_sitecustomize():
    """('spec', spec) or ('imp', find_module's answer) of the next sitecustomize on sys.path after ours, or None."""
    PathFinder = _corescope_import_parts()[0] if _sys.version_info[0] >= 3 else None
    here_file = _corescope_real(__file__)
    here = _os.path.dirname(here_file)
    # sys.path may hold non-strings (pathlib objects, bytes): the import system skips those.
    entries = [e for e in _sys.path if isinstance(e, str)]
    reals = [_corescope_real(e) for e in entries]
    start = reals.index(here) + 1 if here in reals else 0
    mine = (here_file, _os.path.splitext(here_file)[0] + '.py')
    for entry, real in zip(entries[start:], reals[start:]):
        if real == here:
            continue
        if _sys.version_info[0] >= 3:
            spec = PathFinder.find_spec('sitecustomize', [entry])
            if spec is None or spec.loader is None:
                continue
            origin = getattr(spec, 'origin', None)
            if origin and _corescope_real(origin) in mine:
                continue
            return ('spec', spec)
        import imp  # Python 2
        try:
            info = imp.find_module('sitecustomize', [entry])
        except ImportError:
            continue
        if info[1] and _os.path.splitext(_corescope_real(info[1]))[0] == _os.path.splitext(here_file)[0]:
            if info[0]:
                info[0].close()
            continue
        return ('imp', info)
    return None


def _corescope_chain():
    try:
        found = _corescope_next_sitecustomize()
    except Exception:
        return  # looking failed (an odd sys.path entry): as if there were none
    if found is None:
        return
    kind, what = found
    if kind == 'spec':
        module = _corescope_import_parts()[1](what)
        _sys.modules['sitecustomize'] = module
        # Its exceptions propagate: the import of `sitecustomize` fails with them, and the import
        # system drops sys.modules['sitecustomize'], as it would have without us.
        what.loader.exec_module(module)
    else:
        import imp
        f, path, desc = what
        try:
            imp.load_module('sitecustomize', f, path, desc)
        finally:
            if f:
                f.close()


_corescope_start_probe()
_corescope_chain()
