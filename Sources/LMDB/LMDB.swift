@_exported import CLMDB
