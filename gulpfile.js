const { src, dest, parallel } = require('gulp');

// tsc emits only JavaScript; n8n also needs the icons next to each node and credential, and the
// package ships its workflows and message templates so agencies can import them from dist/.
function copyIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

function copyWorkflows() {
	return src('workflows/**/*.json', { base: '.' }).pipe(dest('dist'));
}

function copyTemplates() {
	return src('templates/**/*', { base: '.', encoding: false }).pipe(dest('dist'));
}

exports.build = parallel(copyIcons, copyWorkflows, copyTemplates);
exports.default = exports.build;
