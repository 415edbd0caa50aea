/** The kit's images, as scripts/build-container-images.sh tags them (and the compose files name them). */
export const KIT_IMAGE = process.env.SCONES_KIT_IMAGE ?? 'localhost/scones-kit:dev';
export const MINISTACK_IMAGE = process.env.SCONES_MINISTACK_IMAGE ?? 'localhost/scones-ministack:dev';
