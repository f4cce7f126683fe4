"""Builds audkit: the pure-Python package under python/ and the extension audkit._core,
compiled from every C file of the core (core/src/**/*.c) plus the binding (python/src/*.c, split by
concern; python/src/binding.h says what each file shares).

    pip install -e .                     # or: python setup.py build_ext --inplace
    python -m pytest tests/python

Needs libcurl, cJSON and OpenSSL headers (Debian: libcurl4-openssl-dev libcjson-dev libssl-dev).
Set AUDKIT_DEBUG=1 for an -O0 -g build (AUDKIT_SANITIZE=1 adds ASan/UBSan).
"""

import glob
import os
import sys

from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext as _build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


def rel(*parts):
    return os.path.join(*parts)


def sources():
    core = sorted(glob.glob(rel("core", "src", "**", "*.c"), recursive=True))
    binding = sorted(glob.glob(rel("python", "src", "*.c")))
    return core + binding


def compile_args():
    # the same flags as CMakeLists.txt (POSIX clock_gettime/nanosleep in the core)
    args = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-D_POSIX_C_SOURCE=200809L"]
    if os.environ.get("AUDKIT_DEBUG"):
        args += ["-O0", "-g"]
    if os.environ.get("AUDKIT_SANITIZE"):
        args += ["-fsanitize=address,undefined", "-fno-omit-frame-pointer"]
    return args


def link_args():
    if os.environ.get("AUDKIT_SANITIZE"):
        return ["-fsanitize=address,undefined"]
    return []


ext = Extension(
    "audkit._core",
    sources=sources(),
    include_dirs=[rel("core", "include"), rel("core", "src"), "/usr/include/cjson"],
    libraries=["curl", "cjson", "crypto"],
    extra_compile_args=compile_args(),
    extra_link_args=link_args(),
    depends=sorted(glob.glob(rel("core", "include", "audkit", "*.h")))
    + sorted(glob.glob(rel("core", "src", "**", "*.h"), recursive=True))
    + sorted(glob.glob(rel("python", "src", "*.h"))),
)

if __name__ == "__main__" and sys.platform == "win32":  # pragma: no cover
    sys.exit("audkit's extension builds on POSIX systems only")

class build_ext(_build_ext):
    """Checks the C dependencies first: a missing header is a message naming the Debian packages,
    not a raw compiler error."""

    NEEDED = {
        "curl/curl.h": "libcurl4-openssl-dev",
        "cjson/cJSON.h": "libcjson-dev",
        "openssl/hmac.h": "libssl-dev",
    }

    def run(self):
        dirs = ["/usr/include", "/usr/local/include"] + glob.glob("/usr/include/*-linux-gnu*")
        dirs += list(self.include_dirs or [])
        dirs += [d for d in os.environ.get("CPATH", "").split(os.pathsep) if d]
        if "AUDKIT_HEADER_DIRS" in os.environ:  # tests: look only here
            dirs = [d for d in os.environ["AUDKIT_HEADER_DIRS"].split(os.pathsep) if d]
        missing = sorted({pkg for hdr, pkg in self.NEEDED.items()
                          if not any(os.path.exists(os.path.join(d, hdr)) for d in dirs)})
        if missing:
            sys.exit("audkit: the C extension needs development headers that are not installed.\n"
                     "On Debian/Ubuntu: sudo apt-get install " + " ".join(missing + ["python3-dev"]))
        super().run()


# metadata (name, version, license, classifiers, scripts, ...) lives in pyproject.toml
setup(
    package_dir={"": "python"},
    packages=find_packages(where="python"),
    package_data={"audkit": ["py.typed", "*.pyi"]},
    ext_modules=[ext],
    cmdclass={"build_ext": build_ext},
    zip_safe=False,
)
