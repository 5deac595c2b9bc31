/**
 * The engine's op table, as the Ampere Optimized PyTorch user guide lists it (which ops the engine accelerates at
 * FP32, FP16 explicit, FP16 implicit and INT8 implicit). Origin: the team's transcription of the guide's table,
 * shared/reference/aio-ops.tsv, copied verbatim into app/ops/aio-ops.tsv and embedded here once (the CLI and the
 * app ship as bundles, which carry no data files); test/unit/ops-table.test.ts holds the two equal. Update both
 * from a newer guide together.
 */
export const AIO_OPS_TSV = `
# Ops the Ampere engine accelerates, per precision, as the user guide's table lists them (Y = accelerated).
# The guide's table is ragged: any cell that is not Y is moved to the note column here.
op	fp32	fp16_explicit	fp16_implicit	int8_implicit	note
Conv2d	Y	Y	Y		
Deconv2d	Y	Y	Y		Without bias
Conv3d	Y	Y	Y		
Deconv3d	Y	Y	Y		
Conv1d	Y	Y	Y		
Linear	Y	Y	Y	Y	
MaxPool2d	Y	Y			
AvgPool2d	Y	Y			
AdaptiveAvgPool2d	Y	Y			
Relu	Y	Y	Y		
Relu6	Y	Y	Y		
LeakyRelu	Y	Y	Y		
Softmax	Y	Y	Y		
LogSoftmax	Y	Y	Y		
Gelu	Y	Y	Y		
Silu	Y	Y	Y		
Sigmoid	Y	Y			
Tanh	Y	Y			
Transpose	Y	Y	Y		
Permute	Y	Y	Y		
BatchNorm	Y	Y			
LayerNorm	Y	Y	Y		
GroupNorm	Y				2D and 3D
InstanceNorm	Y				2D and 3D
RmsNorm	Y	Y	Y		
Add	Y	Y	Y		Int version not optimized
Mul	Y	Y	Y		Int version not optimized
Div	Y	Y	Y		Int version not optimized
Pow	Y	Y	Y		Int version not optimized
Matmul	Y	Y	Y	Y	
MM	Y	Y	Y		
BMM	Y	Y	Y		
PixelShuffle	Y				
View	Y	Y	Y		
Reshape	Y	Y	Y		
Squeeze	Y	Y	Y		
Unsqueeze	Y	Y	Y		
Flatten	Y	Y	Y		
Contiguous	Y	Y	Y		
Size	Y	Y	Y		One dimension case
EmbeddingBag	Y	Y	Y	Y	Sum mode
Embedding	Y	Y	Y		
Split	Y	Y	Y		
Chunk	Y	Y	Y		
Sqrt	Y	Y			
Rsqrt	Y	Y			
Exp	Y	Y			
Log	Y	Y			
Zeros_like	Y				
Mean	Y	Y			
Baddbmm	Y	Y			
Slice	Y	Y	Y		
Select	Y	Y			
Neg	Y	Y	Y		
Split with sizes	Y	Y			
Index	Y	Y			Limited support
Max	Y	Y			Elementwise and reduce
Min	Y	Y			Elementwise and reduce
Sum	Y	Y			
Sub	Y	Y			
UpsampleNearest2d	Y	Y			Support only constant scale factor and output size (cannot change in model lifetime)
Sum	Y	Y			
Hardswish	Y	Y			
Hardsigmoid	Y	Y			
Index_add	Y	Y			
Scatter	Y	Y			
Expand	Y	Y			
Where	Y	Y			nonzero overload
Zeros	Y	Y			
TopK	Y	Y			
`;
