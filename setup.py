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

setup(
    name="audkit",
    version="0.1.0",
    description="Audience, tag and keyword APIs of Tencent Ads, Sensors Data, ThinkingData, "
    "Baidu search ads and Volcengine live: one C core with Python and Lua bindings",
    package_dir={"": "python"},
    packages=find_packages(where="python"),
    package_data={"audkit": ["py.typed", "*.pyi"]},
    ext_modules=[ext],
    entry_points={"console_scripts": ["audkit = audkit.cli:main"]},
    python_requires=">=3.10",
    license="MIT",
    license_files=["LICENSE"],
    author="The audkit authors",
    keywords=["tencent ads", "sensors data", "thinkingdata", "baidu", "volcengine", "audience", "sdk"],
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Intended Audience :: Developers",
        "License :: OSI Approved :: MIT License",
        "Operating System :: POSIX :: Linux",
        "Programming Language :: C",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: Implementation :: CPython",
        "Topic :: Software Development :: Libraries",
        "Typing :: Typed",
    ],
    zip_safe=False,
)
