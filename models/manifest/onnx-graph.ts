import onnxProto from 'onnx-proto';
import { DATATYPE_INFO, DATATYPES, type Datatype } from '../tensor.js';

const { onnx } = onnxProto;

/** One graph input or output as the ONNX file declares it: a dim is a size, or null when dynamic. */
export interface GraphTensor {
  name: string;
  /** The served datatype, or null with the ONNX element type code when splitbench does not serve it. */
  datatype: Datatype | null;
  elemType: number;
  dims: (number | null)[];
}

/** The signature of an ONNX graph: its real inputs (initializers left out) and outputs. */
export interface GraphSignature {
  inputs: GraphTensor[];
  outputs: GraphTensor[];
  opset: number | null;
  /** Files (relative to the model) that initializers keep their data in; empty when all data is inline. */
  externalFiles: string[];
}

/** Describes one ValueInfoProto. */
function describe(value: onnxProto.onnx.IValueInfoProto): GraphTensor {
  const tensor = value.type?.tensorType;
  const elemType = tensor?.elemType ?? 0;
  const dims = (tensor?.shape?.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0 ? Number(d.dimValue) : null));
  return { name: value.name ?? '', datatype: DATATYPES.find((d) => DATATYPE_INFO[d].onnx === elemType) ?? null, elemType, dims };
}

/** Reads the input/output signature of ONNX bytes without loading a runtime. */
export function readGraphSignature(bytes: Uint8Array): GraphSignature {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('the file has no graph');
  const initializers = new Set((graph.initializer ?? []).map((i) => i.name));
  return {
    inputs: (graph.input ?? []).filter((i) => !initializers.has(i.name ?? '')).map(describe),
    outputs: (graph.output ?? []).map(describe),
    opset: model.opsetImport?.find((o) => !o.domain)?.version ? Number(model.opsetImport.find((o) => !o.domain)!.version) : null,
    externalFiles: [...new Set((graph.initializer ?? []).filter((i) => i.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL).flatMap((i) => (i.externalData ?? []).filter((e) => e.key === 'location').map((e) => e.value ?? '')))].filter(Boolean),
  };
}

/** A declared tensor, its dims listed as dynamic (`dynamic.dims`) left open. */
interface DeclaredTensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  dynamic?: { dims: number[] };
}

/** The signature a manifest declares, for a model whose file is not read (generated, or packaged and pinned by hash). */
export function declaredSignature(inputs: readonly DeclaredTensor[], outputs: readonly DeclaredTensor[]): GraphSignature {
  const describeDeclared = (t: DeclaredTensor): GraphTensor => ({
    name: t.name,
    datatype: t.datatype,
    elemType: DATATYPE_INFO[t.datatype].onnx,
    dims: t.shape.map((d, i) => (t.dynamic?.dims.includes(i) ? null : d)),
  });
  return { inputs: inputs.map(describeDeclared), outputs: outputs.map(describeDeclared), opset: null, externalFiles: [] };
}
