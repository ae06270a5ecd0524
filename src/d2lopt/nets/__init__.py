"""Evidence on real networks: the chapter's claims measured on small PyTorch models.

Importing this subpackage imports PyTorch (``import d2lopt`` alone does not).
The data need no download: scikit-learn's ``load_digits`` and synthetic sets.

- ``d2lopt.nets.data``: :func:`load_digits_split`, :func:`linear_teacher`.
- ``d2lopt.nets.models``: :func:`mlp` with sigmoid/tanh/ReLU and standard, Glorot or He
  initialization; :func:`two_layer_linear`.
- ``d2lopt.nets.training``: :func:`train` returning a :class:`History`.
- ``d2lopt.nets.gradients``: flat parameters, per-example gradients, Hessian-vector
  products and dense Hessians through :mod:`torch.func`.
- ``d2lopt.nets.noise``: spread of minibatch gradients (its finite-population formula is
  :func:`d2lopt.rates.standard_error`).
- ``d2lopt.nets.early_stopping``, ``d2lopt.nets.symmetry``,
  ``d2lopt.nets.linear_critical``, ``d2lopt.nets.depth``,
  ``d2lopt.nets.interpolation``, ``d2lopt.nets.ensemble``.
- ``d2lopt.nets.directions``: filter-normalized random directions and loss slices;
  ``d2lopt.nets.residual``: a deep MLP with or without skip connections;
  ``d2lopt.nets.alignment``: weight matching of hidden units and loss barriers.
- ``d2lopt.nets.curvature``: the top Hessian eigenvalue, tracked during full-batch
  gradient descent, and the ReLU rescaling that changes it without changing the function.
- ``d2lopt.nets.experiments``: one function per figure of ``gallery/nets``.

>>> from d2lopt import nets
>>> net = nets.mlp((64, 32, 10), "relu", "he")
>>> sum(p.numel() for p in net.parameters())
2410
"""

try:
    import torch  # noqa: F401 - every model and experiment here is a PyTorch one
except ImportError as _missing:
    raise ModuleNotFoundError(
        f"d2lopt.nets needs {_missing.name}, which is not installed; install it with: "
        'pip install ".[nets]" (in a clone of d2lopt)', name=_missing.name,
    ) from _missing

from d2lopt.nets import experiments  # noqa: E402
from d2lopt.nets.alignment import Matching, interpolation_barrier, weight_matching  # noqa: E402
from d2lopt.nets.curvature import (  # noqa: E402
    SharpnessTrace,
    full_batch_descent,
    sharpness,
)
from d2lopt.nets.data import Split, linear_teacher, load_digits_split  # noqa: E402
from d2lopt.nets.depth import LayerGradients, layer_gradient_norms  # noqa: E402
from d2lopt.nets.directions import (  # noqa: E402
    filter_normalized_direction,
    gaussian_direction,
    loss_slice,
    loss_surface,
    rescale_layer_pair,
)
from d2lopt.nets.early_stopping import EarlyStop, early_stopping  # noqa: E402
from d2lopt.nets.ensemble import EnsembleResult, StackedMLP, train_stacked  # noqa: E402
from d2lopt.nets.gradients import (  # noqa: E402
    curvature_along,
    flat_parameters,
    full_gradient,
    hessian,
    hvp,
    loss_of_parameters,
    per_example_gradients,
    set_flat_parameters,
)
from d2lopt.nets.interpolation import loss_along_line, max_rise  # noqa: E402
from d2lopt.nets.linear_critical import (  # noqa: E402
    HessianInertia,
    LinearCriticalPoint,
    covariances,
    critical_points,
    hessian_inertia,
    linear_network_loss,
)
from d2lopt.nets.losses import LOSSES, cross_entropy, half_squared_error, zero_one_error  # noqa: E402
from d2lopt.nets.models import ACTIVATIONS, INITS, SCHEMES, linear_layers, mlp, two_layer_linear  # noqa: E402
from d2lopt.nets.noise import exact_minibatch_spread, minibatch_gradient_spread, total_variance  # noqa: E402
from d2lopt.nets.residual import BlockMLP  # noqa: E402
from d2lopt.nets.symmetry import (  # noqa: E402
    count_equivalent_minima,
    flip_hidden_signs,
    permute_hidden_units,
    random_symmetry,
)
from d2lopt.nets.training import History, evaluate, train  # noqa: E402

__all__ = [
    "ACTIVATIONS", "BlockMLP", "EarlyStop", "EnsembleResult", "HessianInertia", "History", "INITS",
    "LOSSES", "LayerGradients", "LinearCriticalPoint", "Matching", "SCHEMES", "SharpnessTrace",
    "Split", "StackedMLP", "count_equivalent_minima", "covariances", "critical_points",
    "cross_entropy", "curvature_along", "early_stopping", "evaluate", "exact_minibatch_spread",
    "experiments", "filter_normalized_direction", "flat_parameters", "flip_hidden_signs",
    "full_batch_descent", "full_gradient", "gaussian_direction", "half_squared_error", "hessian",
    "hessian_inertia", "hvp", "interpolation_barrier", "layer_gradient_norms", "linear_layers",
    "linear_network_loss", "linear_teacher", "load_digits_split", "loss_along_line",
    "loss_of_parameters", "loss_slice", "loss_surface", "max_rise", "minibatch_gradient_spread",
    "mlp", "per_example_gradients", "permute_hidden_units", "random_symmetry",
    "rescale_layer_pair", "set_flat_parameters", "sharpness", "total_variance", "train",
    "train_stacked", "two_layer_linear", "weight_matching", "zero_one_error",
]
