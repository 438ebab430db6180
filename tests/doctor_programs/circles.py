"""The circle models of AUTOTRAINER's benchmark (Zhang et al., ICSE 2021), reused by DeepDiagnosis
(Wardat et al., ICSE 2022): deep stacks of Dense(5) layers on the circle data.

Data: github.com/shiningrain/AUTOTRAINER, AutoTrainer/data/simplednn.py: make_circles(n_samples=1000,
noise=0.1, random_state=1), inputs scaled to [-1, 1] by MinMaxScaler, the first 700 points for training.
Training: Adam (rate 0.001), binary cross-entropy, batches of 128 (AUTOTRAINER's
demo_case/Gradient_Vanish_Case/config.pkl).
The Keras models are ported to PyTorch layer for layer (Keras-on-torch takes ~2 ms per layer per
step, 40 ms a step for these 18-layer models): VarianceScaling(2, fan_in, uniform) is
kaiming_uniform_, RandomUniform() is uniform_(-0.05, 0.05), biases start at zero as in Keras.
"""

from .common import torch_fit


def circles():
    from sklearn.datasets import make_circles
    X, y = make_circles(n_samples=1000, noise=0.1, random_state=1)
    X = 2 * (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0)) - 1
    return X[:700], y[:700].astype(float)


def stack(activation, init, layers=8, seed=0):
    """2 -> layers x Dense(5) + activation -> Dense(1) + sigmoid; init(weight) sets each hidden kernel."""
    import torch
    torch.manual_seed(seed)
    body = []
    for width_in in [2] + [5] * (layers - 1):
        dense = torch.nn.Linear(width_in, 5)
        with torch.no_grad():
            init(dense.weight)
            dense.bias.zero_()
        body += [dense, activation()]
    out = torch.nn.Linear(5, 1)
    with torch.no_grad():
        he_uniform(out.weight)
        out.bias.zero_()
    return torch.nn.Sequential(*body, out, torch.nn.Sigmoid())


def he_uniform(weight):
    import torch
    return torch.nn.init.kaiming_uniform_(weight, nonlinearity="relu")  # = VarianceScaling(2, fan_in, uniform)


def small_uniform(weight):
    return weight.uniform_(-0.05, 0.05)  # Keras's RandomUniform()


def train(model, epochs):
    import torch
    return torch_fit(model, *circles(), optimizer=torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7),
                     loss=torch.nn.BCELoss(), epochs=epochs, batch_size=128)
