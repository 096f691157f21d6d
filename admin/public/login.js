// The login page's only script (served as a file: the Content-Security-Policy allows no inline script).
(function () {
  var form = document.getElementById('connexion');
  var error = document.getElementById('erreur');
  var button = form.querySelector('button');

  // Where to go once logged in: the admin's page asked for (`?suite=/admin/contacts`), never another site.
  function next() {
    var asked = new URLSearchParams(window.location.search).get('suite') || '';
    return /^\/admin(\/|$)/.test(asked) ? asked : '/admin/';
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var empty = [form.username, form.password].filter(function (field) {
      return !field.value.trim();
    });
    if (empty.length) {
      error.textContent = 'Saisissez votre identifiant et votre mot de passe.';
      empty[0].focus();
      return;
    }
    error.textContent = '';
    button.disabled = true;
    fetch('/api/auth/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ email: form.username.value.trim(), password: form.password.value }),
    })
      .then(function (reply) {
        if (reply.ok) return window.location.replace(next());
        return reply.json().then(
          function (body) {
            error.textContent = (body && body.error && body.error.message) || 'Connexion impossible. Réessayez.';
          },
          function () {
            error.textContent = 'Connexion impossible. Réessayez.';
          },
        );
      })
      .catch(function () {
        error.textContent = 'Le serveur ne répond pas. Vérifiez votre connexion, puis réessayez.';
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
