"""The kernel: model, registry, context, storage, scheduler, content and answering.

It imports no feature, adapter or CLI module.
"""
