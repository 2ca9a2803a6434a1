// Tap a photo to see it large without leaving the gallery. Without JavaScript (or a
// browser without <dialog>) the link simply opens the large JPEG.
document.addEventListener('DOMContentLoaded', () => {
  const viewer = document.getElementById('viewer');
  if (!viewer || typeof viewer.showModal !== 'function') {
    return;
  }
  const large = viewer.querySelector('img');
  for (const link of document.querySelectorAll('a.photo')) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      large.src = link.href;
      large.alt = link.querySelector('img').alt;
      viewer.showModal();
    });
  }
  viewer.addEventListener('click', () => viewer.close());
});
