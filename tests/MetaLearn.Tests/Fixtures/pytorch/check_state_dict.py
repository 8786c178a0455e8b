"""Checks that PyTorch loads a state dict MetaLearn saved (PyTorchWeights.Save) and computes the fixture's outputs.

    /usr/bin/python3 check_state_dict.py conv FILE.pt    # a conv_net (e.g. saved from the converted FunctionalModel)
    /usr/bin/python3 check_state_dict.py mlp FILE.pt     # an MLP (e.g. saved from MetaLearn's Mlp)

It builds the network of make_state_dict.py, loads FILE with torch.load(weights_only=True) (PyTorch's restricted
unpickler) and load_state_dict(strict=True), runs the fixture's inputs in eval mode and prints the largest absolute
difference from the outputs make_state_dict.py recorded. Exit code 0 when it is at most 1e-5.
"""

import sys

import torch

from make_state_dict import (CONV_INPUT_SHAPE, MLP_INPUT_SHAPE, conv_net, mlp, read_floats)


def main(kind, path):
    torch.set_num_threads(1)
    if kind == "conv":
        net, inputs, outputs = conv_net(), read_floats("conv_input.bin", CONV_INPUT_SHAPE), "conv_output.bin"
    elif kind == "mlp":
        net, inputs, outputs = mlp(), read_floats("mlp_input.bin", MLP_INPUT_SHAPE), "mlp_output.bin"
    else:
        raise SystemExit(f"unknown network '{kind}': use conv or mlp")
    state = torch.load(path, weights_only=True)
    result = net.load_state_dict(state, strict=True)
    net.eval()
    with torch.no_grad():
        got = net(inputs)
    expected = read_floats(outputs, tuple(got.shape))
    difference = (got - expected).abs().max().item()
    keys = ", ".join(f"{k} {list(v.shape)} {str(v.dtype).replace('torch.', '')}" for k, v in state.items())
    print(f"torch {torch.__version__}: loaded {path} ({result}); keys: {keys}")
    print(f"{kind}: max_abs_difference={difference:.3g} over {got.numel()} outputs")
    return 0 if difference <= 1e-5 else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
