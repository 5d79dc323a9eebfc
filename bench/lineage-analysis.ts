/**
 * The static analysis of one cell (issue 5), on cells of the kind a
 * training notebook holds (20–60 lines: imports, data loading, a model
 * class, a training loop, evaluation and plots, IPython magics), after
 * warm-up. Prints, per cell and over all of them, the median and the 95th
 * percentile of one `analyzePython` call (wall clock), and the process's
 * CPU time per call over the whole run, which a machine shared with other
 * work inflates less than the wall clock. Target: well under 1 ms.
 *
 *   npm run build:test && node build/bench/lineage-analysis.js [rounds]
 */
import { performance } from 'node:perf_hooks';
import { analyzePython } from '../src/core/lineage/index.js';

const ROUNDS = Number(process.argv[2] ?? 400);
const WARM_UP_ROUNDS = 200;

const CELLS: Readonly<Record<string, string>> = {
  imports: `%matplotlib inline
%load_ext autoreload
%autoreload 2
import os
import json
import math
import random
from pathlib import Path

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import seaborn as sns
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, random_split
from sklearn.metrics import accuracy_score, f1_score, confusion_matrix
from sklearn.preprocessing import StandardScaler

SEED = 42
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
DATA_DIR = Path("data")
RUN_DIR = Path("runs") / "exp-01"
RUN_DIR.mkdir(parents=True, exist_ok=True)
print(f"device={device}, torch={torch.__version__}")
`,
  loading: `!wget -q -O data/raw.zip {DATA_URL}
!unzip -o data/raw.zip -d data
raw = pd.read_csv(DATA_DIR / "train.csv", parse_dates=["timestamp"])
meta = json.load(open("data/meta.json"))
raw = raw.dropna(subset=["label"])
raw["hour"] = raw["timestamp"].dt.hour
raw["weekday"] = raw["timestamp"].dt.weekday
feature_cols = [c for c in raw.columns if c not in meta["exclude"] and c != "label"]
categorical = [c for c in feature_cols if raw[c].dtype == object]
for col in categorical:
    raw[col] = raw[col].astype("category").cat.codes
scaler = StandardScaler()
X = scaler.fit_transform(raw[feature_cols].values).astype(np.float32)
y = raw["label"].values.astype(np.int64)
print(X.shape, y.shape, np.bincount(y))
raw.head()
`,
  dataset: `class TabularDataset(Dataset):
    def __init__(self, X, y, noise=0.0):
        self.X = torch.from_numpy(X)
        self.y = torch.from_numpy(y)
        self.noise = noise

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        if self.noise > 0:
            x = x + self.noise * torch.randn_like(x)
        return x, self.y[i]


full = TabularDataset(X, y, noise=cfg["noise"])
n_val = int(len(full) * cfg["val_fraction"])
train_set, val_set = random_split(full, [len(full) - n_val, n_val])
train_loader = DataLoader(train_set, batch_size=cfg["batch_size"], shuffle=True, num_workers=4)
val_loader = DataLoader(val_set, batch_size=cfg["batch_size"] * 2)
len(train_set), len(val_set)
`,
  model: `class MLP(nn.Module):
    def __init__(self, n_in, n_hidden, n_out, depth=3, dropout=0.1):
        super().__init__()
        layers = []
        width = n_in
        for _ in range(depth):
            layers += [nn.Linear(width, n_hidden), nn.GELU(), nn.Dropout(dropout)]
            width = n_hidden
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, n_out)
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.body(x))


model = MLP(X.shape[1], cfg["hidden"], int(y.max()) + 1, depth=cfg["depth"])
model.to(device)
optimizer = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg["wd"])
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg["epochs"])
sum(p.numel() for p in model.parameters())
`,
  training: `%%time
history = {"train_loss": [], "val_loss": [], "val_acc": []}
best_acc = 0.0


def run_epoch(loader, train=True):
    model.train(train)
    total, correct, loss_sum = 0, 0, 0.0
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        with torch.set_grad_enabled(train):
            logits = model(xb)
            loss = F.cross_entropy(logits, yb, label_smoothing=cfg["smoothing"])
        if train:
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip"])
            optimizer.step()
        loss_sum += loss.item() * len(yb)
        correct += (logits.argmax(1) == yb).sum().item()
        total += len(yb)
    return loss_sum / total, correct / total


for epoch in range(cfg["epochs"]):
    train_loss, _ = run_epoch(train_loader, train=True)
    val_loss, val_acc = run_epoch(val_loader, train=False)
    scheduler.step()
    history["train_loss"].append(train_loss)
    history["val_loss"].append(val_loss)
    history["val_acc"].append(val_acc)
    if val_acc > best_acc:
        best_acc = val_acc
        torch.save(model.state_dict(), RUN_DIR / "best.pt")
    print(f"epoch {epoch:3d} train {train_loss:.4f} val {val_loss:.4f} acc {val_acc:.3f}")
`,
  evaluation: `model.load_state_dict(torch.load(RUN_DIR / "best.pt", map_location=device))
model.eval()
preds, targets = [], []
with torch.no_grad():
    for xb, yb in val_loader:
        preds.append(model(xb.to(device)).argmax(1).cpu().numpy())
        targets.append(yb.numpy())
preds = np.concatenate(preds)
targets = np.concatenate(targets)
metrics = {
    "accuracy": accuracy_score(targets, preds),
    "f1_macro": f1_score(targets, preds, average="macro"),
}
cm = confusion_matrix(targets, preds, normalize="true")
with open(RUN_DIR / "metrics.json", "w") as fh:
    json.dump(metrics, fh, indent=2)
pd.DataFrame(history).to_csv("history.csv", index=False)
metrics
`,
  plots: `fig, axes = plt.subplots(1, 3, figsize=(15, 4))
axes[0].plot(history["train_loss"], label="train")
axes[0].plot(history["val_loss"], label="val")
axes[0].set_xlabel("epoch")
axes[0].legend()
axes[1].plot(history["val_acc"])
axes[1].set_title(f"best accuracy {best_acc:.3f}")
sns.heatmap(cm, annot=True, fmt=".2f", cmap="Blues", ax=axes[2])
axes[2].set_xlabel("predicted")
axes[2].set_ylabel("true")
fig.tight_layout()
fig.savefig("curves.png", dpi=150)
plt.show()
`,
  sweep: `results = []
for lr in [1e-4, 3e-4, 1e-3]:
    for hidden in (128, 256):
        trial_cfg = {**cfg, "lr": lr, "hidden": hidden, "epochs": 5}
        m = MLP(X.shape[1], hidden, int(y.max()) + 1).to(device)
        opt = torch.optim.AdamW(m.parameters(), lr=lr)
        for epoch in range(trial_cfg["epochs"]):
            for xb, yb in train_loader:
                opt.zero_grad()
                F.cross_entropy(m(xb.to(device)), yb.to(device)).backward()
                opt.step()
        acc = evaluate(m, val_loader)
        results.append({"lr": lr, "hidden": hidden, "acc": acc})
        print(lr, hidden, round(acc, 4))
sweep = pd.DataFrame(results).sort_values("acc", ascending=False)
sweep.to_parquet(RUN_DIR / "sweep.parquet")
best = sweep.iloc[0].to_dict()
best_lr, best_hidden = best["lr"], best["hidden"]
%timeit evaluate(model, val_loader)
sweep.head(3)
`,
  features: `def add_lags(df, cols, lags=(1, 2, 7)):
    for col in cols:
        for lag in lags:
            df[f"{col}_lag{lag}"] = df.groupby("id")[col].shift(lag)
    return df


def rolling_stats(df, col, windows):
    out = {}
    for w in windows:
        r = df[col].rolling(w, min_periods=1)
        out[f"{col}_mean{w}"] = r.mean()
        out[f"{col}_std{w}"] = r.std()
    return pd.DataFrame(out, index=df.index)


frame = add_lags(raw.copy(), ["value", "load"])
frame = frame.join(rolling_stats(frame, "value", [3, 7, 30]))
frame = frame.fillna(method="bfill").fillna(0)
lag_cols = [c for c in frame.columns if "_lag" in c or "_mean" in c or "_std" in c]
summary = frame[lag_cols].describe().T.sort_values("std")
summary.to_csv("feature_summary.csv")
frame.shape, len(lag_cols)
`
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function format(ms: number): string {
  return `${(ms * 1000).toFixed(0).padStart(5)} µs`;
}

const names = Object.keys(CELLS);
for (let round = 0; round < WARM_UP_ROUNDS; round++) {
  names.forEach(name => analyzePython(CELLS[name]));
}
const perCell = new Map<string, number[]>(names.map(name => [name, []]));
const cpuBefore = process.cpuUsage();
for (let round = 0; round < ROUNDS; round++) {
  for (const name of names) {
    const start = performance.now();
    analyzePython(CELLS[name]);
    perCell.get(name)?.push(performance.now() - start);
  }
}
const cpu = process.cpuUsage(cpuBefore);
const cpuPerCallMs = (cpu.user + cpu.system) / 1000 / (ROUNDS * names.length);
console.log(
  `analyzePython, ${ROUNDS} rounds after ${WARM_UP_ROUNDS} of warm-up`
);
console.log(`${'cell'.padEnd(12)} lines   median      p95`);
const all: number[] = [];
for (const name of names) {
  const times = (perCell.get(name) ?? []).sort((a, b) => a - b);
  all.push(...times);
  const lines = CELLS[name].split('\n').length - 1;
  console.log(
    `${name.padEnd(12)} ${String(lines).padStart(5)} ${format(percentile(times, 0.5))} ${format(percentile(times, 0.95))}`
  );
}
all.sort((a, b) => a - b);
console.log(
  `${'all cells'.padEnd(12)} ${''.padStart(5)} ${format(percentile(all, 0.5))} ${format(percentile(all, 0.95))}`
);
console.log(`CPU time per call, mean over the run: ${format(cpuPerCallMs)}`);
