"""core/sources"""
