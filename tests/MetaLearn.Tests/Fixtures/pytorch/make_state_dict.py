"""Writes the PyTorch fixture of the PyTorchWeights tests (run once; the outputs are committed).

    /usr/bin/python3 make_state_dict.py          # writes the files below next to this script

Run with Debian's PyTorch 1.13 (python3-torch). It writes, for two small networks, the state dict PyTorch saves
(torch.save(model.state_dict(), path)), fixed inputs and PyTorch's outputs for them in eval mode, as raw little-endian
float32 (C order, shapes below):

    conv_net.pt       nn.Sequential(Conv2d(1, 4, 3, padding=1), BatchNorm2d(4), ReLU(), MaxPool2d(2), Flatten(),
                      Linear(64, 5)); batch norm with running statistics from three training-mode batches
    conv_input.bin    [6, 1, 8, 8]
    conv_output.bin   [6, 5]
    mlp.pt            nn.Sequential(layer0=Linear(3, 16), relu0=ReLU(), layer1=Linear(16, 16), relu1=ReLU(),
                      layer2=Linear(16, 2)): the names of MetaLearn's Mlp(3, 16, 16, 2)
    mlp_input.bin     [7, 3]
    mlp_output.bin    [7, 2]
    checkpoint.pt     {"model": conv_net's state dict, "epoch": 3}: a checkpoint dictionary, which is not a state dict

check_state_dict.py loads a state dict that MetaLearn saved into the same networks and compares the outputs.
"""

import collections
import os

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
CONV_INPUT_SHAPE = (6, 1, 8, 8)
MLP_INPUT_SHAPE = (7, 3)


def conv_net():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 5),
    )


def mlp():
    return nn.Sequential(collections.OrderedDict([
        ("layer0", nn.Linear(3, 16)),
        ("relu0", nn.ReLU()),
        ("layer1", nn.Linear(16, 16)),
        ("relu1", nn.ReLU()),
        ("layer2", nn.Linear(16, 2)),
    ]))


def read_floats(name, shape):
    values = np.fromfile(os.path.join(HERE, name), dtype="<f4")
    return torch.from_numpy(values.reshape(shape).copy())


def write_floats(name, tensor):
    tensor.detach().numpy().astype("<f4").tofile(os.path.join(HERE, name))


def main():
    torch.manual_seed(20)
    torch.set_num_threads(1)

    conv = conv_net()
    with torch.no_grad():
        # Batch norm's scale and shift away from 1 and 0, so that a loader that skipped them would show.
        conv[1].weight.uniform_(0.5, 1.5)
        conv[1].bias.uniform_(-0.5, 0.5)
    conv.train()
    with torch.no_grad():
        for _ in range(3):
            conv(torch.randn(16, 1, 8, 8) * 2.0 + 0.5)
    conv.eval()
    conv_input = torch.randn(*CONV_INPUT_SHAPE)
    with torch.no_grad():
        conv_output = conv(conv_input)
    torch.save(conv.state_dict(), os.path.join(HERE, "conv_net.pt"))
    write_floats("conv_input.bin", conv_input)
    write_floats("conv_output.bin", conv_output)

    torch.save({"model": conv.state_dict(), "epoch": 3}, os.path.join(HERE, "checkpoint.pt"))

    net = mlp().eval()
    mlp_input = torch.randn(*MLP_INPUT_SHAPE)
    with torch.no_grad():
        mlp_output = net(mlp_input)
    torch.save(net.state_dict(), os.path.join(HERE, "mlp.pt"))
    write_floats("mlp_input.bin", mlp_input)
    write_floats("mlp_output.bin", mlp_output)

    print(f"torch {torch.__version__}: wrote conv_net.pt ({len(conv.state_dict())} tensors, "
          f"num_batches_tracked={int(conv[1].num_batches_tracked)}) and mlp.pt ({len(net.state_dict())} tensors)")


if __name__ == "__main__":
    main()
