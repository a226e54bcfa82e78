"""PyTorch side of the sequence-model step benchmark (bench/seq.sh): one training step (forward, cross-entropy,
backward, Adam 1e-3) of the char-LSTM and of the 2-layer transformer LM of issue 5, on random token ids.
Same sizes as SeqBench.java: vocabulary 65, batch 32, sequence 64; char-LSTM: embedding 64, LSTM hidden 256;
transformer: d_model 128, 4 heads, feed-forward 512, 2 pre-norm layers with GELU, learned positions, causal mask,
dropout 0.1, final layer norm (Lamina's CharTransformer).
Run with Debian's /usr/bin/python3 (python3-torch). Usage: seq_step.py lstm|transformer [STEPS]"""
import sys, time
import torch
import torch.nn as nn

V, B, T = 65, 32, 64


class CharLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, 64)
        self.lstm = nn.LSTM(64, 256, batch_first=True)
        self.head = nn.Linear(256, V)

    def forward(self, ids):
        return self.head(self.lstm(self.embed(ids))[0])


class CharTransformer(nn.Module):
    def __init__(self, d=128):
        super().__init__()
        self.embed = nn.Embedding(V, d)
        self.pos = nn.Parameter(torch.randn(T, d))
        layer = nn.TransformerEncoderLayer(d, 4, 512, dropout=0.1, activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, V)
        self.register_buffer("mask", torch.triu(torch.full((T, T), float("-inf")), diagonal=1))

    def forward(self, ids):
        x = self.embed(ids) + self.pos[:ids.shape[1]]
        return self.head(self.norm(self.encoder(x, mask=self.mask)))


name = sys.argv[1]
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 30
torch.manual_seed(0)
model = CharLstm() if name == "lstm" else CharTransformer()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = nn.CrossEntropyLoss()
g = torch.Generator().manual_seed(1)
data = torch.randint(0, V, (steps + 10, B, T + 1), generator=g)
model.train()
times = []
for i in range(steps + 10):
    x, y = data[i, :, :T], data[i, :, 1:]
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = lossf(model(x).reshape(-1, V), y.reshape(-1))
    loss.backward()
    opt.step()
    if i >= 10:
        times.append(time.perf_counter() - t0)
times.sort()
print("torch %s step: median %.2f ms, loss %.3f, threads %d" % (name, 1e3 * times[len(times) // 2], loss.item(), torch.get_num_threads()), flush=True)
