// Helper of bench/export_ort.sh, run with node and onnxruntime-node.
//   node export_ort.js run MODEL.onnx DIR N C H W   writes DIR/x_nchw.npy and DIR/x_nhwc.npy (one seeded
//                                                   batch in [0, 1), both layouts) and DIR/ort.npy, ONNX
//                                                   Runtime's output for x_nchw
//   node export_ort.js diff A.npy B.npy TOL         prints max |A − B| / max |B|; exits 1 above TOL
//                                                   (an N×C×H×W A is compared with an N×H×W×C B)
const fs = require('fs');
const ortPath = process.env.ORT_NODE || '/tmp/ort/node_modules/onnxruntime-node';

function readNpy(p) {
  const b = fs.readFileSync(p);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(p + ': not a .npy file');
  const major = b[6];
  const hl = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const off = major === 1 ? 10 : 12;
  const h = b.toString('latin1', off, off + hl);
  if (!/'descr': '<f4'/.test(h) || /'fortran_order': True/.test(h)) throw new Error(p + ': want <f4, C order');
  const shape = h.match(/'shape': \(([^)]*)\)/)[1].split(',').filter(s => s.trim()).map(Number);
  const data = new Float32Array(b.buffer.slice(b.byteOffset + off + hl, b.byteOffset + b.length));
  return {shape, data};
}

function writeNpy(p, shape, data) {
  let h = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + h.length + 1) % 64) h += ' ';
  h += '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1'); head[6] = 1; head[7] = 0; head.writeUInt16LE(h.length, 8);
  fs.writeFileSync(p, Buffer.concat([head, Buffer.from(h, 'latin1'), Buffer.from(Float32Array.from(data).buffer)]));
}

async function run(model, dir, n, c, h, w) {
  const ort = require(ortPath);
  // A linear congruential generator, so that every run feeds the same batch.
  let s = 12345;
  const next = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 8) / (1 << 24); };
  const nchw = new Float32Array(n * c * h * w);
  for (let i = 0; i < nchw.length; i++) nchw[i] = next();
  const nhwc = new Float32Array(nchw.length);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++)
    nhwc[(b * h * w + p) * c + ch] = nchw[(b * c + ch) * h * w + p];
  writeNpy(`${dir}/x_nchw.npy`, [n, c, h, w], nchw);
  writeNpy(`${dir}/x_nhwc.npy`, [n, h, w, c], nhwc);
  const sess = await ort.InferenceSession.create(model, {intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: process.env.ORT_OPT || 'all'});
  const feeds = {};
  feeds[sess.inputNames[0]] = new ort.Tensor('float32', nchw, [n, c, h, w]);
  const r = await sess.run(feeds);
  const y = r[sess.outputNames[0]];
  writeNpy(`${dir}/ort.npy`, y.dims, y.data);
}

function diff(a, b, tol) {
  const x = readNpy(a), y = readNpy(b);
  const [n, c, h, w] = x.shape;
  if (x.shape.length === 4 && [n, h, w, c].join() === y.shape.join() && x.shape.join() !== y.shape.join()) {
    // An image output: ONNX's NCHW against simdnet's NHWC.
    const t = new Float32Array(y.data.length);
    for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++)
      t[(b * c + ch) * h * w + p] = y.data[(b * h * w + p) * c + ch];
    y.data = t; y.shape = x.shape;
  }
  if (x.shape.join() !== y.shape.join()) throw new Error(`shapes differ: ${x.shape} vs ${y.shape}`);
  let d = 0, m = 0;
  for (let i = 0; i < y.data.length; i++) {
    d = Math.max(d, Math.abs(x.data[i] - y.data[i]));
    m = Math.max(m, Math.abs(y.data[i]));
  }
  const rel = d / m;
  console.log(`max |${a.split('/').pop()} - ${b.split('/').pop()}| = ${d.toExponential(3)}, max |${b.split('/').pop()}| = ${m.toExponential(3)}, relative ${rel.toExponential(3)} (target <= ${tol})`);
  if (!(rel <= tol)) process.exit(1);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'run') run(args[0], args[1], ...args.slice(2, 6).map(Number)).catch(e => { console.error(String(e)); process.exit(1); });
else if (cmd === 'diff') diff(args[0], args[1], Number(args[2]));
else { console.error('usage: node export_ort.js run MODEL.onnx DIR N C H W | diff A.npy B.npy TOL'); process.exit(2); }
