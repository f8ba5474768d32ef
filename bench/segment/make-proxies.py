#!/usr/bin/python3
"""Random-weight ONNX graphs with the shapes and op mix of real segmentation models.

Timing does not depend on weight values, so these stand in for weights we cannot download.
Run with Debian's python3-onnx and numpy; writes bench/.cache/segment/<id>/{encoder,decoder}.onnx:

  proxy-sam-vit-b       SAM ViT-B image encoder (1024 input, 16×16 patches, 12 blocks of 768,
                        12 heads, 14×14 windowed attention with global attention in blocks
                        2, 5, 8, 11, neck to 256×64×64), as segment_anything/modeling/
                        image_encoder.py builds it (relative position bias left out), and the
                        SAM prompt decoder (prompt encoder, two-way transformer of depth 2,
                        upscaling, hypernetwork MLPs), with SamOnnxModel's inputs and outputs.
  proxy-litemedsam      LiteMedSAM's TinyViT encoder (256 input; dims 64/128/160/320, depths
                        2/2/6/2, heads 2/4/5/10, windows 7/7/14/7, as CVPR24_LiteMedSamOnnx_
                        infer.py configures it) with the same decoder in LiteMedSAM's contract.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '.cache', 'segment')
rng = np.random.default_rng(0)


class G:
    def __init__(self):
        self.nodes, self.inits, self.n = [], [], 0

    def name(self, p='t'):
        self.n += 1
        return f'{p}{self.n}'

    def w(self, *shape, scale=0.02):
        n = self.name('w')
        self.inits.append(numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), n))
        return n

    def c(self, value, dtype=np.float32):
        n = self.name('c')
        self.inits.append(numpy_helper.from_array(np.array(value, dtype=dtype), n))
        return n

    def op(self, op, inputs, out=None, **attrs):
        out = out or self.name()
        self.nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def i64(self, v):
        return self.c(v, np.int64)

    def linear(self, x, cin, cout, bias=True):
        y = self.op('MatMul', [x, self.w(cin, cout)])
        return self.op('Add', [y, self.w(cout)]) if bias else y

    def ln(self, x, c):
        return self.op('LayerNormalization', [x, self.c(np.ones(c)), self.c(np.zeros(c))], axis=-1, epsilon=1e-6)

    def gelu(self, x):
        erf = self.op('Erf', [self.op('Div', [x, self.c(np.sqrt(2.0))])])
        return self.op('Mul', [self.op('Mul', [x, self.op('Add', [erf, self.c(1.0)])]), self.c(0.5)])

    def conv(self, x, cin, cout, k, stride=1, pad=0, group=1, bias=True):
        ins = [x, self.w(cout, cin // group, k, k)] + ([self.w(cout)] if bias else [])
        return self.op('Conv', ins, kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4, group=group)

    def attention(self, x, tokens, dim, heads, inner=None, kv=None, kv_tokens=None):
        """Multi-head attention on [B, T, C]; cross-attention when kv is given."""
        inner = inner or dim
        d = inner // heads
        kv = kv if kv is not None else x
        kv_tokens = kv_tokens if kv_tokens is not None else tokens

        def heads_of(t, n):
            return self.op('Transpose', [self.op('Reshape', [t, self.i64([0, n, heads, d])])], perm=[0, 2, 1, 3])

        q = heads_of(self.linear(x, dim, inner), tokens)
        k = heads_of(self.linear(kv, dim, inner), kv_tokens)
        v = heads_of(self.linear(kv, dim, inner), kv_tokens)
        scores = self.op('Mul', [self.op('MatMul', [q, self.op('Transpose', [k], perm=[0, 1, 3, 2])]), self.c(d ** -0.5)])
        out = self.op('MatMul', [self.op('Softmax', [scores], axis=-1), v])
        out = self.op('Reshape', [self.op('Transpose', [out], perm=[0, 2, 1, 3]), self.i64([0, tokens, inner])])
        return self.linear(out, inner, dim)

    def mlp(self, x, dim, hidden):
        return self.linear(self.gelu(self.linear(x, dim, hidden)), hidden, dim)

    def windowed(self, x, side, dim, heads, window):
        """Attention within window×window tiles of a [1, side, side, C] map (padded to fit)."""
        padded = -(-side // window) * window
        n = padded // window
        if padded != side:
            x = self.op('Pad', [x, self.i64([0, 0, 0, 0, 0, padded - side, padded - side, 0])])
        t = self.op('Reshape', [x, self.i64([1, n, window, n, window, dim])])
        t = self.op('Transpose', [t], perm=[0, 1, 3, 2, 4, 5])
        t = self.op('Reshape', [t, self.i64([n * n, window * window, dim])])
        t = self.attention(t, window * window, dim, heads)
        t = self.op('Reshape', [t, self.i64([1, n, n, window, window, dim])])
        t = self.op('Transpose', [t], perm=[0, 1, 3, 2, 4, 5])
        t = self.op('Reshape', [t, self.i64([1, padded, padded, dim])])
        if padded != side:
            t = self.op('Slice', [t, self.i64([0, 0]), self.i64([side, side]), self.i64([1, 2])])
        return t

    def neck(self, x, cin, side):
        """SAM's neck on [1, side, side, cin]: 1×1 conv, LayerNorm2d, 3×3 conv, LayerNorm2d."""
        y = self.conv(self.op('Transpose', [x], perm=[0, 3, 1, 2]), cin, 256, 1, bias=False)
        y = self.ln(self.op('Transpose', [y], perm=[0, 2, 3, 1]), 256)
        y = self.conv(self.op('Transpose', [y], perm=[0, 3, 1, 2]), 256, 256, 3, pad=1, bias=False)
        y = self.ln(self.op('Transpose', [y], perm=[0, 2, 3, 1]), 256)
        return self.op('Transpose', [y], perm=[0, 3, 1, 2], out='image_embeddings')


def vit_b_encoder():
    g = G()
    dim, side = 768, 64
    x = g.conv('input_image', 3, dim, 16, stride=16)  # [1, 768, 64, 64]
    x = g.op('Add', [g.op('Transpose', [x], perm=[0, 2, 3, 1]), g.w(1, side, side, dim)])
    for block in range(12):
        h = g.ln(x, dim)
        if block in (2, 5, 8, 11):
            flat = g.op('Reshape', [h, g.i64([1, side * side, dim])])
            h = g.op('Reshape', [g.attention(flat, side * side, dim, 12), g.i64([1, side, side, dim])])
        else:
            h = g.windowed(h, side, dim, 12, 14)
        x = g.op('Add', [x, h])
        x = g.op('Add', [x, g.mlp(g.ln(x, dim), dim, 4 * dim)])
    g.neck(x, dim, side)
    return g, [helper.make_tensor_value_info('input_image', TensorProto.FLOAT, [1, 3, 1024, 1024])]


def tinyvit_encoder():
    g = G()
    # Stem and stage 1 (MBConv) at 256², then patch merging 128@128², 160@64², 320@64².
    x = g.gelu(g.conv('input_image', 3, 32, 3, pad=1))
    x = g.conv(x, 32, 64, 3, pad=1)
    for _ in range(2):
        h = g.gelu(g.conv(x, 64, 256, 1))
        h = g.gelu(g.conv(h, 256, 256, 3, pad=1, group=256))
        x = g.gelu(g.op('Add', [x, g.conv(h, 256, 64, 1)]))
    stages = [(128, 128, 2, 4, 7), (160, 64, 6, 5, 14), (320, 64, 2, 10, 7)]
    cin = 64
    for dim, side, depth, heads, window in stages:
        stride = 2 if cin != 160 or dim != 320 else 1
        x = g.conv(g.gelu(g.conv(x, cin, dim, 1)), dim, dim, 3, stride=stride, pad=1, group=dim)
        x = g.op('Transpose', [x], perm=[0, 2, 3, 1])  # [1, side, side, dim]
        for _ in range(depth):
            x = g.op('Add', [x, g.windowed(g.ln(x, dim), side, dim, heads, window)])
            local = g.conv(g.op('Transpose', [x], perm=[0, 3, 1, 2]), dim, dim, 3, pad=1, group=dim)
            x = g.op('Transpose', [local], perm=[0, 2, 3, 1])
            x = g.op('Add', [x, g.mlp(g.ln(x, dim), dim, 4 * dim)])
        x = g.op('Transpose', [x], perm=[0, 3, 1, 2])
        cin = dim
    g.neck(g.op('Transpose', [x], perm=[0, 2, 3, 1]), 320, 64)
    return g, [helper.make_tensor_value_info('input_image', TensorProto.FLOAT, [1, 3, 256, 256])]


def decoder(lite):
    """SAM's prompt encoder + mask decoder (two-way transformer, depth 2, 8 heads, MLP 2048)."""
    g = G()
    coords, labels = ('batched_point_coords', 'batched_point_labels') if lite else ('point_coords', 'point_labels')
    size = 256.0 if lite else 1024.0
    # Prompt encoder: random Fourier features of the normalised coordinates plus a label embedding.
    xy = g.op('Sub', [g.op('Mul', [g.op('Div', [coords, g.c(size)]), g.c(2.0)]), g.c(1.0)])
    proj = g.op('Mul', [g.op('MatMul', [xy, g.w(2, 128, scale=1.0)]), g.c(2 * np.pi)])
    points = g.op('Concat', [g.op('Sin', [proj]), g.op('Cos', [proj])], axis=-1)  # [1, N, 256]
    lab = g.op('Unsqueeze', [labels, g.i64([2])])
    points = g.op('Add', [points, g.op('Mul', [lab, g.w(256)])])
    tokens = g.op('Concat', [g.op('Expand', [g.w(1, 5, 256), g.i64([1, 5, 256])]), points], axis=1)
    n_tokens = -1
    image = g.op('Transpose', [g.op('Reshape', ['image_embeddings', g.i64([1, 256, 4096])])], perm=[0, 2, 1])
    if not lite:
        dense = g.gelu(g.conv('mask_input', 1, 4, 2, stride=2))
        dense = g.gelu(g.conv(dense, 4, 16, 2, stride=2))
        dense = g.conv(dense, 16, 256, 1)
        dense = g.op('Mul', [g.op('Transpose', [g.op('Reshape', [dense, g.i64([1, 256, 4096])])], perm=[0, 2, 1]), 'has_mask_input'])
        image = g.op('Add', [image, dense])
    image = g.op('Add', [image, g.w(1, 4096, 256)])  # dense positional encoding
    for _ in range(2):
        tokens = g.ln(g.op('Add', [tokens, g.attention(tokens, n_tokens, 256, 8)]), 256)
        tokens = g.ln(g.op('Add', [tokens, g.attention(tokens, n_tokens, 256, 8, inner=128, kv=image, kv_tokens=4096)]), 256)
        tokens = g.ln(g.op('Add', [tokens, g.mlp(tokens, 256, 2048)]), 256)
        image = g.ln(g.op('Add', [image, g.attention(image, 4096, 256, 8, inner=128, kv=tokens, kv_tokens=n_tokens)]), 256)
    tokens = g.ln(g.op('Add', [tokens, g.attention(tokens, n_tokens, 256, 8, inner=128, kv=image, kv_tokens=4096)]), 256)
    # Upscale the image tokens 4× and apply the hypernetwork of the first mask token.
    up = g.op('Reshape', [g.op('Transpose', [image], perm=[0, 2, 1]), g.i64([1, 256, 64, 64])])
    up = g.op('ConvTranspose', [up, g.w(256, 64, 2, 2), g.w(64)], kernel_shape=[2, 2], strides=[2, 2])
    up = g.gelu(g.op('Transpose', [g.ln(g.op('Transpose', [up], perm=[0, 2, 3, 1]), 64)], perm=[0, 3, 1, 2]))
    up = g.gelu(g.op('ConvTranspose', [up, g.w(64, 32, 2, 2), g.w(32)], kernel_shape=[2, 2], strides=[2, 2]))
    mask_token = g.op('Gather', [tokens, g.i64(1)], axis=1)  # [1, 256]
    hyper = g.linear(g.op('Relu', [g.linear(g.op('Relu', [g.linear(mask_token, 256, 256)]), 256, 256)]), 256, 32)
    low = g.op('MatMul', [g.op('Unsqueeze', [hyper, g.i64([1])]), g.op('Reshape', [up, g.i64([1, 32, 65536])])])
    low = g.op('Reshape', [low, g.i64([1, 1, 256, 256])], out='low_res_masks')
    iou_token = g.op('Gather', [tokens, g.i64(0)], axis=1)
    g.op('Sigmoid', [g.linear(g.op('Relu', [g.linear(iou_token, 256, 256)]), 256, 1)], out='iou_predictions')
    # Postprocess as SamOnnxModel does: upscale to the input size, crop, resize to the original size.
    full = g.op('Resize', [low, '', g.c([1, 1, size / 256, size / 256])], mode='linear')
    orig = g.op('Cast', ['orig_im_size'], to=TensorProto.INT64) if not lite else 'orig_im_size'
    g.op('Resize', [full, '', '', g.op('Concat', [g.i64([1, 1]), orig], axis=0)], mode='linear', out='masks')
    inputs = [
        helper.make_tensor_value_info('image_embeddings', TensorProto.FLOAT, [1, 256, 64, 64]),
        helper.make_tensor_value_info(coords, TensorProto.FLOAT, [1, 'N', 2]),
        helper.make_tensor_value_info(labels, TensorProto.FLOAT, [1, 'N']),
    ]
    if lite:
        inputs.append(helper.make_tensor_value_info('orig_im_size', TensorProto.INT64, [2]))
    else:
        inputs += [
            helper.make_tensor_value_info('mask_input', TensorProto.FLOAT, [1, 1, 256, 256]),
            helper.make_tensor_value_info('has_mask_input', TensorProto.FLOAT, [1]),
            helper.make_tensor_value_info('orig_im_size', TensorProto.FLOAT, [2]),
        ]
    outputs = [
        helper.make_tensor_value_info('masks', TensorProto.FLOAT, [1, 1, 'H', 'W']),
        helper.make_tensor_value_info('iou_predictions', TensorProto.FLOAT, [1, 1]),
        helper.make_tensor_value_info('low_res_masks', TensorProto.FLOAT, [1, 1, 256, 256]),
    ]
    return g, inputs, outputs


def save(g, inputs, outputs, path):
    graph = helper.make_graph(g.nodes, os.path.basename(path), inputs, outputs, g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name='medlens-proxy')
    model.ir_version = 8
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save(model, path)
    print(f'{path}: {os.path.getsize(path) / 2**20:.1f} MiB', file=sys.stderr)


embeddings = [helper.make_tensor_value_info('image_embeddings', TensorProto.FLOAT, [1, 256, 64, 64])]
for model_id, encoder, lite in [('proxy-sam-vit-b', vit_b_encoder, False), ('proxy-litemedsam', tinyvit_encoder, True)]:
    directory = os.path.join(OUT, model_id)
    if os.path.exists(os.path.join(directory, 'decoder.onnx')):
        continue
    g, inputs = encoder()
    save(g, inputs, embeddings, os.path.join(directory, 'encoder.onnx'))
    save(*decoder(lite), os.path.join(directory, 'decoder.onnx'))
