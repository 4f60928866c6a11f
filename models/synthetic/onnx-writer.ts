import onnxProto from 'onnx-proto';
import { DATATYPE_INFO, type Datatype } from '../tensor.js';

const { onnx } = onnxProto;

// ONNX TensorProto.DataType codes used here.
const FLOAT = 1;
// Opset 13 has every operator the synthetic models use and every onnxruntime release runs it.
const OPSET = 13;

/** A float initializer (weights) in a graph. */
export interface Initializer {
  name: string;
  dims: number[];
  values: Float32Array;
}

/** One operator node: inputs and outputs are tensor names. */
export interface GraphNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, number>;
}

/** A graph input or output with a fixed shape (-1 for a symbolic batch dimension); FP32 unless given. */
export interface GraphValue {
  name: string;
  shape: number[];
  datatype?: Datatype;
}

/** Everything needed to write a small float model. */
export interface GraphDefinition {
  name: string;
  inputs: GraphValue[];
  outputs: GraphValue[];
  initializers: Initializer[];
  nodes: GraphNode[];
  metadata?: Record<string, string>;
  /** Default opset (13) unless a model needs a newer operator; a newer opset also needs a newer IR version. */
  opset?: number;
  irVersion?: number;
}

/** Describes a tensor value with its element type and shape for the graph signature. */
function describeValue(value: GraphValue) {
  return onnx.ValueInfoProto.create({
    name: value.name,
    type: {
      tensorType: {
        elemType: DATATYPE_INFO[value.datatype ?? 'FP32'].onnx,
        shape: { dim: value.shape.map((d) => (d < 0 ? { dimParam: 'batch' } : { dimValue: d })) },
      },
    },
  });
}

/** Serializes a graph definition into ONNX protobuf bytes, deterministically. */
export function writeOnnxModel(definition: GraphDefinition): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: definition.name,
    input: definition.inputs.map(describeValue),
    output: definition.outputs.map(describeValue),
    initializer: definition.initializers.map((init) =>
      onnx.TensorProto.create({
        name: init.name,
        dims: init.dims,
        dataType: FLOAT,
        rawData: new Uint8Array(init.values.buffer, init.values.byteOffset, init.values.byteLength),
      }),
    ),
    node: definition.nodes.map((node, index) =>
      onnx.NodeProto.create({
        name: `${node.op.toLowerCase()}_${index}`,
        opType: node.op,
        input: node.inputs,
        output: node.outputs,
        attribute: Object.entries(node.attributes ?? {}).map(([name, value]) =>
          Number.isInteger(value)
            ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value })
            : onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value }),
        ),
      }),
    ),
  });
  const model = onnx.ModelProto.create({
    irVersion: definition.irVersion ?? 7,
    producerName: 'splitbench',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: definition.opset ?? OPSET }],
    graph,
    metadataProps: Object.entries(definition.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Returns a copy of any ONNX file with metadata entries set: same weights, new file bytes. */
export function restampOnnxModel(bytes: Uint8Array, metadata: Record<string, string>): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const kept = (model.metadataProps ?? []).filter((entry) => !(entry.key! in metadata));
  model.metadataProps = [...kept, ...Object.entries(metadata).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value }))];
  return onnx.ModelProto.encode(model).finish();
}
