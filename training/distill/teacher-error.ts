/**
 * A distillation teacher refused before training starts (wrong file, wrong kind of model, wrong
 * scale). In a module of its own, so the train command can recognise it without loading onnxruntime.
 */
export class TeacherError extends Error {
  override readonly name = 'TeacherError';
}
