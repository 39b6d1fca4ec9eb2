"""Input and output at corpus scale, for any tokenizer.

* :mod:`.lines`: reading lines with exact error positions, atomic output;
* :mod:`.stream`: files of any size in bounded memory (:class:`CutOptions`,
  the :class:`~qieci.io.stream.Segmenter`);
* :mod:`.workers`: worker processes that each rebuild the tokenizer once;
* :mod:`.cluster`: the same on a ``dask.distributed`` cluster.

This layer sees a tokenizer only through the small protocols of
:mod:`.workers` (``Segments``, ``Recipe``); it never imports an engine.
"""
