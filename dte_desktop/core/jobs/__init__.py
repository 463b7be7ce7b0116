"""core/jobs"""
