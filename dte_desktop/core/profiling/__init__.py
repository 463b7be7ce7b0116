"""core/profiling"""
