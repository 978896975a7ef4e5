package io.weightsync.server.model;

import io.weightsync.core.ckpt.Checkpoint;
import io.weightsync.core.safetensors.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A plain-Java Llama forward pass, written the llama2.c way with loops over float arrays and no
 * cache: the independent reference the DJL model is checked against. Slow and obvious on purpose.
 */
final class ReferenceLlama {

    private final ModelConfig c;
    private final Checkpoint ckpt;

    ReferenceLlama(ModelConfig config, Checkpoint checkpoint) {
        this.c = config;
        this.ckpt = checkpoint;
    }

    private float[] tensor(String name) {
        TensorInfo t = ckpt.tensor(name);
        ByteBuffer f32 = ByteBuffer.allocate(Math.toIntExact(t.elementCount() * 4)).order(ByteOrder.nativeOrder());
        Floats.toF32(t.dtype(), ckpt.slice(name), f32, t.elementCount());
        float[] out = new float[(int) t.elementCount()];
        f32.asFloatBuffer().get(out);
        return out;
    }

    /** Logits for the last of {@code tokens}, attending causally over all of them. */
    float[] lastLogits(int[] tokens) {
        int n = tokens.length;
        int d = c.hiddenSize();
        int hd = c.headDim();
        int heads = c.numAttentionHeads();
        int kvHeads = c.numKeyValueHeads();
        float[] embed = tensor(WeightSpec.embed());
        float[][] x = new float[n][d];
        for (int t = 0; t < n; t++) {
            System.arraycopy(embed, tokens[t] * d, x[t], 0, d);
        }
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            float[] wq = tensor(WeightSpec.layer(l, "self_attn.q_proj.weight"));
            float[] wk = tensor(WeightSpec.layer(l, "self_attn.k_proj.weight"));
            float[] wv = tensor(WeightSpec.layer(l, "self_attn.v_proj.weight"));
            float[] wo = tensor(WeightSpec.layer(l, "self_attn.o_proj.weight"));
            boolean bias = c.modelType().equals("qwen2");
            float[] bq = bias ? tensor(WeightSpec.layer(l, "self_attn.q_proj.bias")) : null;
            float[] bk = bias ? tensor(WeightSpec.layer(l, "self_attn.k_proj.bias")) : null;
            float[] bv = bias ? tensor(WeightSpec.layer(l, "self_attn.v_proj.bias")) : null;
            float[][] q = new float[n][];
            float[][] k = new float[n][];
            float[][] v = new float[n][];
            for (int t = 0; t < n; t++) {
                float[] h = rmsNorm(x[t], tensor(WeightSpec.layer(l, "input_layernorm.weight")));
                q[t] = matVec(wq, h, heads * hd, d, bq);
                k[t] = matVec(wk, h, kvHeads * hd, d, bk);
                v[t] = matVec(wv, h, kvHeads * hd, d, bv);
                if (c.hasQkNorm()) {
                    perHeadNorm(q[t], heads, tensor(WeightSpec.layer(l, "self_attn.q_norm.weight")));
                    perHeadNorm(k[t], kvHeads, tensor(WeightSpec.layer(l, "self_attn.k_norm.weight")));
                }
                rope(q[t], heads, t);
                rope(k[t], kvHeads, t);
            }
            float[][] attnOut = new float[n][heads * hd];
            for (int t = 0; t < n; t++) {
                for (int h = 0; h < heads; h++) {
                    int kvh = h / c.groupSize();
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        double dot = 0;
                        for (int i = 0; i < hd; i++) {
                            dot += q[t][h * hd + i] * k[s][kvh * hd + i];
                        }
                        scores[s] = dot / Math.sqrt(hd);
                        max = Math.max(max, scores[s]);
                    }
                    double sum = 0;
                    for (int s = 0; s <= t; s++) {
                        scores[s] = Math.exp(scores[s] - max);
                        sum += scores[s];
                    }
                    for (int s = 0; s <= t; s++) {
                        for (int i = 0; i < hd; i++) {
                            attnOut[t][h * hd + i] += (float) (scores[s] / sum * v[s][kvh * hd + i]);
                        }
                    }
                }
            }
            float[] post = tensor(WeightSpec.layer(l, "post_attention_layernorm.weight"));
            float[] gate = tensor(WeightSpec.layer(l, "mlp.gate_proj.weight"));
            float[] up = tensor(WeightSpec.layer(l, "mlp.up_proj.weight"));
            float[] down = tensor(WeightSpec.layer(l, "mlp.down_proj.weight"));
            int ff = c.intermediateSize();
            for (int t = 0; t < n; t++) {
                add(x[t], matVec(wo, attnOut[t], d, heads * hd, null));
                float[] h = rmsNorm(x[t], post);
                float[] g = matVec(gate, h, ff, d, null);
                float[] u = matVec(up, h, ff, d, null);
                for (int i = 0; i < ff; i++) {
                    g[i] = (float) (g[i] / (1 + Math.exp(-g[i])) * u[i]);
                }
                add(x[t], matVec(down, g, d, ff, null));
            }
        }
        float[] last = rmsNorm(x[n - 1], tensor(WeightSpec.finalNorm()));
        float[] head = c.tieWordEmbeddings() ? embed : tensor(WeightSpec.lmHead());
        return matVec(head, last, c.vocabSize(), d, null);
    }

    private float[] rmsNorm(float[] x, float[] w) {
        double ss = 0;
        for (float v : x) {
            ss += v * v;
        }
        double inv = 1.0 / Math.sqrt(ss / x.length + c.rmsNormEps());
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (x[i] * inv * w[i]);
        }
        return out;
    }

    private void perHeadNorm(float[] x, int heads, float[] w) {
        int hd = c.headDim();
        for (int h = 0; h < heads; h++) {
            float[] head = new float[hd];
            System.arraycopy(x, h * hd, head, 0, hd);
            System.arraycopy(rmsNorm(head, w), 0, x, h * hd, hd);
        }
    }

    /** Rotate-half rotary embedding at position {@code pos}. */
    private void rope(float[] x, int heads, int pos) {
        int hd = c.headDim();
        int half = hd / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                double angle = pos / Math.pow(c.ropeTheta(), 2.0 * i / hd);
                double cos = Math.cos(angle);
                double sin = Math.sin(angle);
                int a = h * hd + i;
                int b = a + half;
                double x1 = x[a];
                double x2 = x[b];
                x[a] = (float) (x1 * cos - x2 * sin);
                x[b] = (float) (x2 * cos + x1 * sin);
            }
        }
    }

    private static float[] matVec(float[] w, float[] x, int rows, int cols, float[] bias) {
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
            double acc = bias == null ? 0 : bias[r];
            for (int j = 0; j < cols; j++) {
                acc += w[r * cols + j] * x[j];
            }
            out[r] = (float) acc;
        }
        return out;
    }

    private static void add(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }
}
