"""Builds the sqlmig wheel (run by ext/dist.sh; `make dist`).

The package holds the platform's sqlmig library, so the wheel is tagged
py3-none-<platform>: any Python 3, no Python ABI, this platform only. The
version comes from ext/sqlmig.h through SQLMIG_VERSION (ext/dist.sh).
"""
import os

from setuptools import setup
from setuptools.dist import Distribution
from wheel.bdist_wheel import bdist_wheel


class PlatformWheel(bdist_wheel):
    """A wheel for this platform that needs no particular Python ABI."""

    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        return ("py3", "none", super().get_tag()[2])


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True  # installed in platlib: it carries a compiled library


setup(
    name="sqlmig",
    version=os.environ["SQLMIG_VERSION"],
    description="SQLite migrations as a property of the database: the sqlmig "
                "extension, its loader and the SQLAlchemy bridge",
    packages=["sqlmig"],
    package_data={"sqlmig": ["libsqlmig.so", "libsqlmig.dylib", "sqlmig.dll"]},
    python_requires=">=3.7",
    extras_require={"sqlalchemy": ["SQLAlchemy>=1.4"]},
    cmdclass={"bdist_wheel": PlatformWheel},
    distclass=BinaryDistribution,
    zip_safe=False,
)
